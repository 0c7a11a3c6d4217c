"""Kanban boards: the network board and site boards, with gate moves from the cards."""
