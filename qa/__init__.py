"""case-qa: ask the story, get answers tied to the exact passages they come from."""
