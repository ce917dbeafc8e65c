"""The CP-SAT model: decision variables, one function per hard rule and per cost term."""
