"""One module per primitive grader type; each is built from its spec model."""
