"""Partner matchmaking: partner requests, interests, suggestions and the cooperation network."""
