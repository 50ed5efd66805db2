"""Text processing and the model zoo: TF-IDF, topic models and theme coders.

Models read plain documents (``corpus.Document``) and return tidy tables; they never judge
themselves (scoring against the manual coding lives in ``analysis``).
"""
