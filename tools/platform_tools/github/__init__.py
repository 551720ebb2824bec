"""One GitHub REST client for every network edge that talks to GitHub (release publishing, the PR report)."""
