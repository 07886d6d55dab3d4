"""AuraInstance: create, adopt, reconcile and delete one Aura instance per object; observe it
until it settles, then check it for drift; deliver its connection Secret."""
