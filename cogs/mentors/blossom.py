"""Peer rounds, placement first: grow a pairing to a maximum-cardinality matching.

Edmonds' blossom algorithm, started from the pairing the weighted heuristics found: from
every unpaired member, search for an augmenting path (alternating unused and used pairs,
ending at another unpaired member), shrinking odd cycles ("blossoms") as it goes, and
flip it when found. A member with no augmenting path now never gets one later (Edmonds),
so one pass over the unpaired members leaves a pairing nobody can extend: everyone who
could be paired is. Searches start only from unpaired members and stop at the first
path, so a near-complete pairing costs little; neighbour scans are numpy row operations.
"""
from __future__ import annotations

from collections import deque

import numpy as np


def maximum_cardinality(allowed: np.ndarray, mate: np.ndarray) -> np.ndarray:
    """`mate[i]` = partner of i or -1; returns a maximum matching containing as many pairs."""
    mate = mate.copy()
    for root in range(len(mate)):
        if mate[root] < 0 and allowed[root].any():
            end, parent = _augmenting_path(allowed, mate, root)
            while end >= 0:  # flip the path root ... parent[end] - end
                partner = int(parent[end])
                next_end = int(mate[partner])
                mate[end], mate[partner] = partner, end
                end = next_end
    return mate


def _augmenting_path(allowed: np.ndarray, mate: np.ndarray, root: int) -> tuple[int, np.ndarray]:
    n = len(mate)
    parent = np.full(n, -1, np.int64)
    base = np.arange(n)
    outer = np.zeros(n, bool)  # in the search tree at even distance (or inside a blossom)
    outer[root] = True
    queue = deque([root])
    while queue:
        v = queue.popleft()
        for to in np.flatnonzero(allowed[v] & (base != base[v])):
            to = int(to)
            if base[v] == base[to] or mate[v] == to:
                continue
            if to == root or (mate[to] >= 0 and parent[mate[to]] >= 0):  # odd cycle: shrink it
                top = _common_base(mate, parent, base, v, to)
                in_blossom = np.zeros(n, bool)
                _mark(mate, parent, base, in_blossom, v, top, to)
                _mark(mate, parent, base, in_blossom, to, top, v)
                inside = in_blossom[base]
                base[inside] = top
                fresh = np.flatnonzero(inside & ~outer)
                outer[fresh] = True
                queue.extend(int(x) for x in fresh)
            elif parent[to] < 0:
                parent[to] = v
                if mate[to] < 0:
                    return to, parent
                outer[mate[to]] = True
                queue.append(int(mate[to]))
    return -1, parent


def _common_base(mate: np.ndarray, parent: np.ndarray, base: np.ndarray, a: int, b: int) -> int:
    seen = set()
    while True:
        a = int(base[a])
        seen.add(a)
        if mate[a] < 0:
            break
        a = int(parent[mate[a]])
    while True:
        b = int(base[b])
        if b in seen:
            return b
        b = int(parent[mate[b]])


def _mark(mate: np.ndarray, parent: np.ndarray, base: np.ndarray, in_blossom: np.ndarray, v: int, top: int,
          child: int) -> None:
    while base[v] != top:
        in_blossom[base[v]] = in_blossom[base[mate[v]]] = True
        parent[v] = child
        child = int(mate[v])
        v = int(parent[mate[v]])
