"""Stage 3: alignment of source and target segments (sentences), and of words inside aligned pairs."""
