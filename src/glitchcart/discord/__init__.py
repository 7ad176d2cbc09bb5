"""The Discord bot: one more thin surface over :class:`glitchcart.client.Client`.

Every channel (a thread is its own channel) is the session ``discord:<channel id>``. The
bot holds no game state: commands and buttons call the client, and each channel's
messages follow the session's event stream. Started by ``glitchcart discord``
(:mod:`glitchcart.bot`).
"""
