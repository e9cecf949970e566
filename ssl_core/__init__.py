"""ssl_core: the library behind the app. Trains and inspects self-supervised encoders.

Never imports streamlit; everything a page can do, the command line can do too.
"""
