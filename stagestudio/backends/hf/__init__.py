"""Hugging Face plumbing shared by the diffusers sketchers and the Qwen3-VL roles: checkpoint
folders and the HF cache (`loading`), and Qwen-VL model inputs built without torchvision
(`qwen_vl_inputs`)."""
