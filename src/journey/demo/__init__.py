"""The synthetic council: years of realistic children's journeys for the demo and tests."""
