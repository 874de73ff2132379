"""SamPro's screens, one module each, built when first shown."""
