-- Tables {lo} to {hi} of the collector benchmark: a primary key and one more index each.
DO $bench$
BEGIN
    FOR i IN {lo}..{hi} LOOP
        EXECUTE pg_catalog.format(
            'CREATE TABLE public.bench_%s (id int PRIMARY KEY, v int, note text)', i);
        EXECUTE pg_catalog.format('CREATE INDEX bench_%s_v ON public.bench_%s (v)', i, i);
        EXECUTE pg_catalog.format(
            'INSERT INTO public.bench_%s SELECT g, g %% 7, %L FROM generate_series(1, 3) AS g',
            i, 'row');
    END LOOP;
END
$bench$
