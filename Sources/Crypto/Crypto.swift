// The Crypto module. See docs/architecture.md for what it holds and what it may depend on.
