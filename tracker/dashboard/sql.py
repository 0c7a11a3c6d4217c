"""Portable SQL pieces: day differences and percentiles that run on SQLite and PostgreSQL."""

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class days_between(FunctionElement):
    """days_between(later, earlier): the difference of two timestamps in fractional days."""

    type = sa.Float()
    inherit_cache = True
    name = "days_between"


@compiles(days_between, "sqlite")
def _days_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(julianday({later}) - julianday({earlier}))"


@compiles(days_between)
def _days_default(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION) / 86400.0)"


class whole_days(FunctionElement):
    """whole_days(later, earlier): the whole days between two timestamps, each cut to the
    second first (so Python's tracker.dashboard.kept.whole_days gives the same number)."""

    type = sa.Integer()
    inherit_cache = True
    name = "whole_days"


@compiles(whole_days, "sqlite")
def _whole_days_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return (
        f"((CAST(strftime('%s', {later}) AS INTEGER) - "
        f"CAST(strftime('%s', {earlier}) AS INTEGER)) / 86400)"
    )


@compiles(whole_days)
def _whole_days_default(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return (
        f"(CAST(floor(EXTRACT(EPOCH FROM {later})) - floor(EXTRACT(EPOCH FROM {earlier})) "
        f"AS BIGINT) / 86400)"
    )


# A quantile as a fraction k/d, so positions stay integer arithmetic on both databases.
MEDIAN = (1, 2)
P90 = (9, 10)


def _quantile(rank, count, value, quantile: tuple[int, int]):
    """Linear interpolation between the ranked values around position 1 + q·(n-1).

    The same result as PostgreSQL's percentile_cont, built from ROW_NUMBER and COUNT, which
    SQLite has too: with k/d = q, the lower rank is k(n-1) div d + 1 and the fraction
    k(n-1) mod d / d.
    """
    k, d = quantile
    steps = k * (count - 1)
    lower_rank = steps // d + 1
    lower = sa.func.max(sa.case((rank == lower_rank, value)))
    upper = sa.func.coalesce(sa.func.max(sa.case((rank == lower_rank + 1, value))), lower)
    fraction = sa.cast(sa.func.max(steps % d), sa.Float) / d
    return lower + fraction * (upper - lower)


def ranked(values: sa.Subquery, group, value, *carry) -> sa.Subquery:
    """values with each row's rank by value within its group (rnk) and the group's size (n)."""
    rank = sa.func.row_number().over(partition_by=group, order_by=value)
    count = sa.func.count().over(partition_by=group)
    return sa.select(
        group.label("grp"), value.label("v"), rank.label("rnk"), count.label("n"), *carry
    ).subquery()


def quantile_columns(ranks: sa.Subquery, *wanted: tuple[int, int]) -> list:
    """Aggregates over a ranked() subquery: each wanted quantile of v, per group."""
    return [_quantile(ranks.c.rnk, ranks.c.n, ranks.c.v, q) for q in wanted]


def quantiles(values: sa.Subquery, group, value, *wanted: tuple[int, int]) -> sa.Select:
    """SELECT group, n, quantile₁, … over values (a subquery), one row per group."""
    ranks = ranked(values, group, value)
    columns = quantile_columns(ranks, *wanted)
    return sa.select(ranks.c.grp, sa.func.max(ranks.c.n), *columns).group_by(ranks.c.grp)
