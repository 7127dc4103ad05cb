"""What a person sees or hears: melody and song files (`write`), audio (`audio`) and the thesis's figures (`plots`)."""
