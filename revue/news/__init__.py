"""Articles, images, categories and stories: the archive the portal, API and search read."""
