"""Pure rules: state, cartridges, fate, turns. No I/O, no asyncio, no clock."""
