"""AuraSnapshot: take one on-demand snapshot per object, exactly once; recover a lost answer
from Aura's snapshot list; report the snapshot until it is completed or failed."""
