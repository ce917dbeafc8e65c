"""What is known before modelling: geography (scopes, pairs), travel times, and every
eligible (person, case, slot) option with its calendar."""
