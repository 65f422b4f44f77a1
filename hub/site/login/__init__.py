"""The owner's sign-in: login and logout (`endpoints`), the password hash (`passwords`), the
server-side session (`session`), the SQL of sessions and the IndieAuth server (`queries`).
"""
