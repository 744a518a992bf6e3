"""Streamlit pages and components: the only place that imports Streamlit."""
