"""Stage 4: scores. Evidence from the language model, mapped to 0-100 fidelity, fluency and overall."""
