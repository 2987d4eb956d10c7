"""What a person reads in Dutch: the message catalogue (`catalogue`) and Dutch local times (`dates`)."""
