"""`telketen audit`: a risk-limiting audit plan for a published result, and the evaluation of its recounts."""
