"""Hot-path querysets whose SQL is compiled once per process instead of on every request.

Profiled under `make bench`: turning a queryset into SQL (Django's SQLCompiler) costs about ten
times running that SQL on SQLite — ~1 ms for an order joined to its lines and courses, against
~0.1 ms for the query. A PreparedQuery builds its queryset once with stand-in values, keeps the
SQL, and on each call binds the real values and turns the rows into model instances with
Django's own converters and populators (what QuerySet iteration does), so the result is the
same as iterating the queryset, select_related objects and annotations included.

    order_with_lines = PreparedQuery(
        lambda no: OrderDetail.objects.select_related("order", "course").filter(
            order__out_trade_no=no), no="")
    lines = order_with_lines(no="2026...")          # a list of OrderDetail

`insert(*objs)` and `update_fields(obj, names)` are the writes of the same hot paths, with SQL
made once per model and shape: the values go through each field's pre_save and
get_db_prep_save, and pre_save/post_save are sent for each instance, as Model.save() does
(utils.metrics counts payment events on post_save). A multi-row insert learns its pks where the
database returns them (SQLite, MariaDB 10.5+), as bulk_create() does.

Each keyword is a value the filter compares with: a string, an int, an aware datetime (of a
DateTimeField), or a non-empty list of them (for `__in`; compiled once per length), declared by
example (`no=""`, `ids=[0]`, `now=timezone.now()`). None is refused: it would change the SQL
(`IS NULL`), so such a filter stays an ordinary queryset.
"""
from datetime import UTC, datetime

from django.db import DatabaseError, connections, router
from django.db.models import signals
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError


class PreparedQuery:
    """A queryset's SQL, compiled once per process and database, run with new values."""

    def __init__(self, build, **kinds):
        """`build(**values)` returns the queryset; `kinds` gives each value's type by example."""
        self._build = build
        self._kinds = kinds
        self._plans = {}

    def __call__(self, **values):
        if set(values) != set(self._kinds):
            raise TypeError(f"expected values for {sorted(self._kinds)}, got {sorted(values)}")
        shape = []
        for name in sorted(self._kinds):
            value, is_list = values[name], isinstance(self._kinds[name], list)
            if value is None or is_list != isinstance(value, (list, tuple)) or value == []:
                raise TypeError(f"{name}={value!r} does not fit the prepared query")
            shape.append(len(value) if is_list else None)
        shape = tuple(shape)
        plan = self._plans.get(shape)
        if plan is None:
            plan = self._plans[shape] = _Plan(self._build, self._kinds, shape)
        return plan.run(values)


class _Plan:
    """The compiled SQL of one shape (list lengths), where each value goes, and how rows map."""

    def __init__(self, build, kinds, shape):
        samples, self.slots = {}, {}
        for n, (name, length) in enumerate(zip(sorted(kinds), shape, strict=True)):
            kind = kinds[name][0] if isinstance(kinds[name], list) else kinds[name]
            make = _sample_maker(kind, n)
            samples[name] = make(0) if length is None else [make(i) for i in range(length)]
        queryset = build(**samples)
        self.alias, self.for_update = queryset.db, queryset.query.select_for_update
        compiler = queryset.query.get_compiler(using=self.alias)
        self.sql, params = compiler.as_sql()  # also fills compiler.select and klass_info
        self.params = list(params)
        ops = connections[self.alias].ops
        # A datetime reaches the SQL as the database's text for it (naive UTC); others as they are.
        self.adapt = {name: ops.adapt_datetimefield_value if isinstance(kinds[name], datetime)
                      else None for name in kinds}
        for name, sample in samples.items():
            adapt = self.adapt[name] or (lambda value: value)
            for index, item in enumerate(sample if isinstance(sample, list) else [sample]):
                item = adapt(item)
                where = [i for i, p in enumerate(params) if p == item and type(p) is type(item)]
                if not where:
                    raise ValueError(f"{name!r} does not reach the SQL as a parameter")
                for position in where:
                    self.slots[position] = (name, index if isinstance(sample, list) else None)
        self.compiler = compiler
        klass_info, select = compiler.klass_info, compiler.select
        self.model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.model_slice = slice(start, end)
        self.init_list = [column[0].target.attname for column in select[start:end]]
        self.populators = get_related_populators(klass_info, select, self.alias)
        self.annotations = dict(compiler.annotation_col_map or {})
        self.converters = compiler.get_converters(
            [column[0] for column in select[0:compiler.col_count]])

    def run(self, values):
        params = list(self.params)
        for position, (name, index) in self.slots.items():
            value = values[name] if index is None else values[name][index]
            params[position] = value if self.adapt[name] is None else self.adapt[name](value)
        connection = connections[self.alias]
        if self.for_update and connection.get_autocommit():  # the compiler's own check
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction.")
        with connection.cursor() as cursor:
            cursor.execute(self.sql, params)
            rows = cursor.fetchall()
        objects = []
        if self.converters:  # the fields' own conversions (decimals, aware datetimes, ...)
            rows = self.compiler.apply_converters(rows, self.converters)
        for row in rows:
            obj = self.model.from_db(self.alias, self.init_list, row[self.model_slice])
            for populator in self.populators:
                populator.populate(row, obj)
            for name, position in self.annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects


def _sample_maker(kind, n):
    """Stand-in values no real call uses, distinct per parameter and list item."""
    if isinstance(kind, str):
        return lambda i: f"\x00prepared-{n}-{i}\x00"
    if isinstance(kind, datetime):
        return lambda i: datetime(1901, 1, 1, 0, n, i, tzinfo=UTC)
    if isinstance(kind, int):
        return lambda i: -(10 ** 15) - n * 10 ** 6 - i
    raise TypeError(f"PreparedQuery values are strings, ints or datetimes, not {type(kind).__name__}")


_write_sql = {}


def insert(*objs):
    """INSERT these new instances of one model in one statement; a single one gets its pk."""
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    meta = model._meta
    fields = [f for f in meta.local_concrete_fields if f is not meta.auto_field]
    if any(type(obj) is not model or obj.pk is not None for obj in objs):
        raise ValueError("insert() takes new instances of one model")
    returning = (len(objs) > 1 and meta.auto_field is not None
                 and connection.features.can_return_rows_from_bulk_insert)
    key = ("insert", alias, model, len(objs))
    sql = _write_sql.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        row = "(" + ", ".join(_placeholder(f) for f in fields) + ")"
        columns = ", ".join(quote(f.column) for f in fields)
        # Names from the model's _meta, quoted; every value is a parameter.
        sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES {', '.join([row] * len(objs))}"  # noqa: S608, E501
        if returning:
            sql += " " + connection.ops.return_insert_columns([meta.pk])[0]
        _write_sql[key] = sql
    for obj in objs:
        signals.pre_save.send(sender=model, instance=obj, raw=False, using=alias,
                              update_fields=None)
    params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if returning:
            for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
                obj.pk = pk
        elif len(objs) == 1 and meta.auto_field is not None:
            objs[0].pk = connection.ops.last_insert_id(cursor, meta.db_table, meta.pk.column)
    for obj in objs:
        obj._state.adding, obj._state.db = False, alias
        signals.post_save.send(sender=model, instance=obj, created=True, update_fields=None,
                               raw=False, using=alias)


def update_fields(obj, names):
    """UPDATE these fields of a saved instance (auto_now ones refreshed, as save() does)."""
    model, meta = type(obj), type(obj)._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = [meta.get_field(name) for name in names]
    key = ("update", alias, model, tuple(names))
    sql = _write_sql.get(key)
    if sql is None:
        quote = connection.ops.quote_name
        assignments = ", ".join(f"{quote(f.column)} = {_placeholder(f)}" for f in fields)
        # Names from the model's _meta, quoted; every value is a parameter.
        sql = _write_sql[key] = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608, E501
    signals.pre_save.send(sender=model, instance=obj, raw=False, using=alias,
                          update_fields=frozenset(names))
    params = [f.get_db_prep_save(f.pre_save(obj, False), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, meta.pk.get_db_prep_value(obj.pk, connection)])
        if cursor.rowcount != 1:
            raise DatabaseError(f"update of {meta.label} {obj.pk} affected {cursor.rowcount} rows")
    signals.post_save.send(sender=model, instance=obj, created=False,
                           update_fields=frozenset(names), raw=False, using=alias)


def _placeholder(field):
    if hasattr(field, "get_placeholder"):  # e.g. BinaryField on some databases
        raise TypeError(f"{field} needs its own SQL placeholder: save it the usual way")
    return "%s"
