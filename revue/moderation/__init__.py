"""Image reports, automatic blocking and the moderators' desk (to come: see the image-report issue)."""
