"""Built-in rules: one module per rule, named by its slug."""
