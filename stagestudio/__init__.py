"""StageStudio: staged text-to-image generation you can watch and steer."""

__version__ = "0.1.0"
