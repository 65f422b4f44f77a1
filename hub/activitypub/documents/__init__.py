"""The JSON-LD documents hub serves: the channel actor, entries as Note/Article, collections."""
