"""The Trio front end (the only part of the package that imports trio-asyncio)."""
