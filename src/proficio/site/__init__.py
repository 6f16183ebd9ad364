"""The public curriculum site: pages generated from the content model, rendered by MkDocs."""
