"""Reading WARCs, parsing pages into structured records, export."""
