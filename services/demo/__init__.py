"""The demo: Satker Kalidoni's data (``seed``), and one whole cycle played through real HTTP
(``run``) by the warungs and the coordinator, with the field suppliers answering
(``suppliers``), ending in a summary (``summary``)."""
