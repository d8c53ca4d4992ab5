"""The asyncio front end: ``GatewayClient.connect`` as the client README documents it."""
