"""AuraRestore: guard (confirmInstanceId), send a restore or an overwrite exactly once, follow
the target until it runs again."""
