"""The one PR comment: what each tool found, what blocks, and the markdown a service team reads."""
