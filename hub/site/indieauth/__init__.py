"""The IndieAuth server: the authorization endpoint and consent page (`authorize`), the JSON
endpoints (`endpoints`: metadata, token, introspection, revocation, userinfo), client
discovery (`client`), state changes (`service`) and the pure rules (`model`).
"""
