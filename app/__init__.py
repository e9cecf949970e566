"""The Streamlit app: entry point, shared widgets and cached handles into ssl_core."""
