"""Voice: intents, and the sentences that Assist turns into them."""
