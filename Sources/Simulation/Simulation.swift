// The Simulation module: seeded synthetic data for the demo, benches and tests.
