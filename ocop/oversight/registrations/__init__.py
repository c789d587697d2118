"""Each part registers its notifications, queues and extension points from here."""
