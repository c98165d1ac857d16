"""What the operating system tells or shows us: probes and watchers (no widgets)."""
