"""Official merchandise-trade statistics fetched from their publishers (``hkasean trade fetch``)."""
