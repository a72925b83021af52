"""Qwen3-VL (transformers) as the inspector and the planner: `runtime` holds the one loaded
model both roles share, `inspector` reads p(yes) from its answer-token logits, `planner` has it
write scene graphs and step plans. Importing this package loads nothing heavy."""
