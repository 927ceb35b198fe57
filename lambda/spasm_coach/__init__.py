"""Back Spasm Coach.

Rooms, one way only:  alexa/ (ask-sdk handlers)  ->  the rules (content, triage, care, onset,
speech; pure Python over content/)  ;  storage/ (persistence adapters) is reached only through
ask-sdk's AttributesManager.
"""
