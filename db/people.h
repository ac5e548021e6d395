/* people.h — the display name and role of whoever a record names by id, in
 * the same query as the record.
 *
 * Every response that carries a user id also carries {id, full_name, role}
 * of that person, so no client needs a second call to show who acted. The
 * lookup is a correlated subquery on the users primary key inside the
 * statement that builds the record's JSON: one round trip, never a query per
 * row from C. An id that names a machine client (the e-office) answers the
 * client's name with the role "integration"; an unknown id answers null.
 */
#ifndef ALURD_DB_PEOPLE_H
#define ALURD_DB_PEOPLE_H

/* SQL expression: the person object of the uuid expression col, or null. */
#define DB_PERSON(col)                                                                                       \
	"(SELECT coalesce((SELECT json_build_object('id', pu.id, 'full_name', pu.full_name, 'role', pu.role)"  \
	" FROM users pu WHERE pu.id = " col "), (SELECT json_build_object('id', pc.id, 'full_name', pc.name,"   \
	" 'role', 'integration') FROM clients pc WHERE pc.id = " col ")))"

/* SQL expression: the array of person objects of a uuid[] expression, in its
 * order ('[]' for an empty or null array). */
#define DB_PEOPLE(arr)                                                                                       \
	"(SELECT coalesce(json_agg(json_build_object('id', pu.id, 'full_name', pu.full_name, 'role', pu.role)" \
	" ORDER BY px.ord), '[]'::json) FROM unnest(" arr ") WITH ORDINALITY px(uid, ord)"                      \
	" JOIN users pu ON pu.id = px.uid)"

#endif
