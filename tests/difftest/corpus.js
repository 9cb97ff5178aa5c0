// corpus.js — the requests the differential tests run through graphql-js and
// gql-exec: {name, query, variables?, operationName?}.
//
// Hand-written groups cover execution (fragments, directives, aliases,
// abstract types, mutations), null propagation and result coercion against
// data that breaks the schema's promises, every validation rule's
// violations, syntax errors, operation selection and introspection.
// Generated groups cover input coercion systematically: every input type
// the schema uses crossed with a set of JSON variable values and of literal
// values.
'use strict';

const { getIntrospectionQuery } = require('graphql');

const corpus = [];

function add(group, entries) {
  for (const [slug, query, variables, operationName] of entries) {
    const entry = { name: `${group}/${slug}`, query };
    if (variables !== undefined) entry.variables = variables;
    if (operationName !== undefined) entry.operationName = operationName;
    corpus.push(entry);
  }
}

// ---- execution ----

add('exec', [
  ['scalars', '{ version hello serverTime cursor }'],
  ['typename-root', '{ __typename }'],
  ['typename-aliased', '{ a: __typename b: __typename }'],
  ['aliases', '{ v: version, h: hello, again: version }'],
  ['object', '{ book(id: "b1") { id title year pages genre } }'],
  ['nested-object', '{ book(id: "b1") { author { id name born country } } }'],
  ['list-of-objects', '{ books { id title tags } }'],
  ['list-of-scalars-with-null', '{ numbers }'],
  ['list-of-lists', '{ matrix }'],
  ['list-of-lists-objects', '{ me { shelf { id title } } }'],
  ['nullable-list-items', '{ book(id: "b2") { coAuthors { name } } }'],
  ['null-list', '{ books { coAuthors { id } } }'],
  ['empty-list', '{ books { tags reviews { stars } } }'],
  ['json-scalar', '{ stats books { metadata } }'],
  ['custom-scalars', '{ me { born } book { author { born } } serverTime }'],
  ['floats', '{ books { price averageStars } works { ... on Magazine { averageStars } } }'],
  ['interface-typename', '{ works { __typename id title } }'],
  [
    'interface-inline-fragments',
    '{ works { id ... on Book { pages genre } ... on Magazine { issue monthly } } }',
  ],
  ['interface-implementing-interface', '{ works { ... on Node { id } ... on Work { year } } }'],
  ['interface-on-interface-field', '{ node(id: "b1") { id ... on Work { title credits { name } } } }'],
  [
    'union',
    `{ search(text: "x") { __typename
        ... on Book { title } ... on Magazine { issue }
        ... on Author { name } ... on Reader { lateFees } } }`,
  ],
  ['union-via-interface-fragment', '{ search(text: "x") { ... on Node { id } ... on Person { name } } }'],
  ['union-with-nulls', '{ contributors { __typename ... on Author { name } ... on Reader { name } } }'],
  ['union-typename-only', '{ featured { __typename } me { favorite { __typename } } }'],
  ['nodes-with-null', '{ nodes(ids: ["b1", "a1", "x", "m1"]) { id __typename } }'],
  ['interface-list-of-interfaces', '{ book { credits { __typename name ... on Reader { lateFees } } } }'],
  ['reviewable-fragment', '{ works { ... on Reviewable { averageStars reviews { stars text } } } }'],
  [
    'reviewable-from-union',
    '{ search(text: "") { ... on Reviewable { averageStars } ... on Work { title } } }',
  ],
  [
    'named-fragments',
    `{ books { ...BookParts author { ...AuthorParts } } }
     fragment BookParts on Book { id title }
     fragment AuthorParts on Author { name }`,
  ],
  [
    'nested-fragments',
    `query Q { me { ...ReaderParts } }
     fragment ReaderParts on Reader { name favorite { ...Fav } }
     fragment Fav on SearchResult { __typename ... on Book { ...BookParts } }
     fragment BookParts on Book { title author { name } }`,
  ],
  [
    'fragment-on-interface-spread-in-object',
    '{ book { ...W } } fragment W on Work { title tags }',
  ],
  ['inline-fragment-without-type', '{ book { ... { id title } } }'],
  [
    'field-merging',
    '{ book { title } book { id title } book { author { name } } book { author { id } } }',
  ],
  [
    'field-merging-across-fragments',
    '{ book { ...A ...B title } } fragment A on Book { id author { name } } fragment B on Book { author { id } }',
  ],
  ['merge-order', '{ book { year ... on Book { title year } id } }'],
  ['deprecated-fields', '{ oldest { title isbn } authors { nickname } }'],
  ['enum-output', '{ books { genre } }'],
  ['deep', '{ me { favorite { ... on Book { author { books { title reviews { reviewer { name } } } } } } } }'],
  ['reader-borrowed', '{ me { borrowed { __typename title ... on Magazine { editors { name } } } } }'],
  ['related-union-list', '{ book(id: "b2") { related { __typename ... on Book { id } } } books { related { __typename } } }'],
  ['arguments-ignored-by-data', '{ book(id: "nope") { id } search(text: "", limit: 1) { __typename } }'],
  ['price-with-args', '{ books { price(currency: USD) p2: price(currency: GBP, discount: 5) } }'],
  ['stats-json', '{ stats }'],
  ['root-json-null-fields', '{ book { metadata } }'],
  ['typename-everywhere', '{ __typename book { __typename author { __typename } } me { __typename } }'],
  ['strict-list', '{ strictList }'],
  ['comments-and-commas', '# leading comment\n{ version, , hello # trailing\n }'],
  ['unicode-strings', '{ echo(string: "h\\u00e9llo \\u{1F600} \\n\\t\\"q\\"") }'],
  ['block-string', '{ echo(string: """\n    block\n      indented\n    text\n  """) }'],
  ['block-string-escapes', '{ echo(string: """a \\""" b \\n c""") }'],
  ['bom-and-tabs', '\ufeff{\tversion\t}'],
  ['big-query', `{ ${Array.from({ length: 60 }, (_, i) => `f${i}: version`).join(' ')} }`],
]);

add('directives', [
  ['skip-true', '{ version @skip(if: true) hello }'],
  ['skip-false', '{ version @skip(if: false) hello }'],
  ['include-true', '{ version @include(if: true) }'],
  ['include-false', '{ version @include(if: false) hello }'],
  ['skip-and-include', '{ a: version @skip(if: false) @include(if: true) b: version @skip(if: true) @include(if: true) c: version @skip(if: false) @include(if: false) }'],
  ['skip-variable', 'query ($s: Boolean!) { version @skip(if: $s) hello }', { s: true }],
  ['include-variable', 'query ($i: Boolean!) { version @include(if: $i) hello }', { i: false }],
  ['include-variable-default', 'query ($i: Boolean = true) { version @include(if: $i) }'],
  ['skip-fragment-spread', '{ book { ...F @skip(if: true) id } } fragment F on Book { title }'],
  ['include-inline-fragment', '{ book { ... on Book @include(if: false) { title } id } }'],
  ['skip-merge-one-skipped', '{ version @skip(if: true) version }'],
  ['skip-merge-sub-fields', '{ book { id } book @skip(if: true) { title } }'],
  ['all-skipped', '{ version @skip(if: true) }'],
  ['deprecated-is-known-in-sdl-only', '{ version @deprecated }'],
  ['specified-by-not-on-query', '{ version @specifiedBy(url: "x") }'],
]);

add('mutation', [
  ['echo-input', 'mutation { addBook(input: {title: "T", authorId: "a1"}) }'],
  ['echo-input-full', 'mutation { addBook(input: {title: "T", authorId: 7, year: 2020, genre: SCIENCE, tags: "solo", price: 3, metadata: {a: [1, {b: null}]}}) }'],
  ['object-result', 'mutation { rateBook(id: "b1", stars: 4) { stars text postedAt } }'],
  ['serial-fields', 'mutation M { a: deleteBook(id: 1) b: rateBook(id: 2, stars: 1) { stars } c: renameAuthor(id: "a1", name: "X") { name } }'],
  ['non-null-failure', 'mutation { deleteBook(id: 1) failing }'],
  ['typename', 'mutation { __typename }'],
  ['variables', 'mutation ($in: NewBook!) { addBook(input: $in) }', { in: { title: 'V', authorId: 'a2', tags: ['x'] } }],
  ['deprecated-input-field', 'mutation { addBook(input: {title: "T", authorId: 1, legacyCode: "L"}) }'],
  ['missing-required-input-field', 'mutation { addBook(input: {authorId: 1}) }'],
  ['query-and-mutation', 'query Q { version } mutation M { deleteBook(id: 1) }', undefined, 'M'],
]);

add('subscription', [
  ['single-field', 'subscription { bookAdded { title } }'],
  ['with-args', 'subscription S($g: Genre) { bookAdded(genre: $g) { id genre } }', { g: 'FICTION' }],
]);

// ---- null propagation and result coercion ----

add('nulls', [
  ['non-null-field-in-nullable-object', '{ broken { nullTitleBook { id title } } }'],
  ['non-null-scalar', '{ broken { nonNullNull } version }'],
  ['list-item-non-null', '{ broken { listWithNull { id } } }'],
  ['strict-list-propagates-to-parent', '{ broken { strictListWithNull } version }'],
  ['nullable-items', '{ broken { nullItems } }'],
  ['list-of-lists', '{ broken { listOfListsWithNull } }'],
  ['deep-nullable', '{ broken { deep { deep { intFromString nonNullNull } } } }'],
  ['deep-required-chain', '{ broken { deepRequired { deepRequired { nonNullNull } } } version }'],
  ['deep-required-chain-null', '{ broken { deepRequired { deepRequired { deepRequired { nonNullNull } } } } version }'],
  ['deep-required-partial', '{ broken { deepRequired { intFromBool nonNullNull } } }'],
  ['two-errors-one-parent', '{ broken { nonNullNull intFromString } }'],
  ['sibling-errors-order', '{ broken { intFromString intTooBig intFromFloat floatFromString } }'],
  ['errors-in-list-items', '{ books { title reviews { stars text } } broken { listWithNull { title } } }'],
  ['data-null-at-root', '{ version broken { nonNullNull } strictList }'],
  ['alias-in-path', '{ b: broken { x: nullTitleBook { t: title } } }'],
  ['fragment-in-path', '{ broken { ...F } } fragment F on Broken { listWithNull { ... on Book { title } } }'],
]);

add('serialize', [
  ['int-from-string', '{ broken { intFromString } }'],
  ['int-too-big', '{ broken { intTooBig } }'],
  ['int-from-float', '{ broken { intFromFloat } }'],
  ['float-from-string', '{ broken { floatFromString } }'],
  ['int-from-bool', '{ broken { intFromBool } }'],
  ['string-from-number', '{ broken { stringFromNumber } }'],
  ['string-from-bool', '{ broken { stringFromBool } }'],
  ['bool-from-number', '{ broken { boolFromNumber } }'],
  ['bad-enum', '{ broken { badEnum } }'],
  ['enum-from-number', '{ broken { enumFromNumber } }'],
  ['not-a-list', '{ broken { notAList } }'],
  ['scalar-as-object', '{ broken { scalarAsObject { id name } } }'],
  ['missing-typename', '{ broken { missingTypename { __typename } } }'],
  ['wrong-typename', '{ broken { wrongTypename { __typename } } }'],
  ['unknown-typename', '{ broken { unknownTypename { id } } }'],
  ['id-from-number', '{ broken { idFromNumber } }'],
  ['id-from-float', '{ broken { idFromFloat } }'],
  ['enum-deprecated-value', '{ book(id: "b3") { genre } books { genre } }'],
]);

// ---- operations, variables, request errors ----

add('operations', [
  ['named', 'query Named { version }'],
  ['select-by-name', 'query A { version } query B { hello }', undefined, 'B'],
  ['unknown-name', 'query A { version } query B { hello }', undefined, 'C'],
  ['name-required', 'query A { version } query B { hello }'],
  ['name-given-single', 'query A { version }', undefined, 'A'],
  ['name-for-anonymous', '{ version }', undefined, 'A'],
  ['only-fragments', 'fragment F on Query { version }'],
  ['mutation-by-name', 'query A { version } mutation B { deleteBook(id: 1) }', undefined, 'B'],
  ['variable-not-provided', 'query ($i: Int!) { echo(int: $i) }'],
  ['variable-null-for-non-null', 'query ($i: Int!) { echo(int: $i) }', { i: null }],
  ['variable-default-used', 'query ($i: Int = 42) { echo(int: $i) }'],
  ['variable-default-overridden', 'query ($i: Int = 42) { echo(int: $i) }', { i: 7 }],
  ['variable-explicit-null-over-default', 'query ($i: Int = 42) { echo(int: $i) }', { i: null }],
  ['variable-unused-extra-json', 'query ($i: Int) { echo(int: $i) }', { i: 1, other: 'x' }],
  ['variables-several-errors', 'query ($a: Int!, $b: String!, $c: Genre) { echo(int: $a, string: $b, genre: $c) }', { c: 'NOPE' }],
  ['variable-in-list', 'query ($i: Int) { echo(ints: [1, $i, 3]) }', { i: 2 }],
  ['variable-missing-in-list', 'query ($i: Int) { echo(ints: [1, $i, 3]) }'],
  ['variable-in-object', 'query ($g: Genre) { echo(filter: {genre: $g, tags: ["a"]}) }', { g: 'HISTORY' }],
  ['variable-missing-in-object', 'query ($g: Genre) { echo(filter: {genre: $g}) }'],
  ['variable-missing-for-required-arg-with-default', 'query ($i: Int) { echoDefaults(a: $i) }'],
  ['variable-into-nonnull-arg-with-default', 'query ($i: Int = 3) { echoRequired(int: $i, strings: [], page: {}) }'],
  ['echo-required', '{ echoRequired(int: 1, strings: "one", page: {offset: 2}) }'],
  ['echo-defaults', '{ echoDefaults }'],
  ['echo-defaults-overridden', '{ echoDefaults(a: 9, c: HISTORY, g: [1, null], h: "s") }'],
  ['echo-deprecated-arg', '{ echo(oldArg: "x") }'],
  ['echo-everything', '{ echo(everything: {int: 1, float: 2, string: "s", boolean: false, id: 5, genre: SCIENCE, ints: [1, null], nested: [[1], [2, 3]], page: {offset: 1}, date: "2020"}) }'],
  ['echo-nested-filter', '{ echo(filter: {and: [{genre: FICTION}, {and: {maxYear: 2000}}], author: {countries: null}}) }'],
  ['variables-nested-filter', 'query ($f: BookFilter) { echo(filter: $f) }', { f: { and: [{ genre: 'FICTION' }, { and: { maxYear: 2000 } }], author: { countries: null } } }],
]);

// ---- validation: each rule's violations ----

add('validation', [
  // ExecutableDefinitions
  ['executable-type-def', '{ version } type Foo { a: Int }'],
  ['executable-schema-def', 'schema { query: Query } { version }'],
  ['executable-extension', '{ version } extend type Query { x: Int }'],
  // UniqueOperationNames
  ['unique-operation-names', 'query A { version } query A { hello }'],
  ['unique-operation-names-mixed', 'query A { version } mutation A { deleteBook(id: 1) }'],
  // LoneAnonymousOperation
  ['lone-anonymous', '{ version } query B { hello }'],
  ['lone-anonymous-two', '{ version } { hello }'],
  // SingleFieldSubscriptions
  ['subscription-two-fields', 'subscription { bookAdded { id } reviewPosted { stars } }'],
  ['subscription-named-two-fields', 'subscription S { bookAdded { id } reviewPosted { stars } }'],
  ['subscription-introspection', 'subscription S { __typename }'],
  ['subscription-fragment-fields', 'subscription { ...F } fragment F on Subscription { bookAdded { id } reviewPosted { stars } }'],
  // KnownTypeNames
  ['unknown-variable-type', 'query ($x: Strin) { echo(string: $x) }'],
  ['unknown-fragment-type', '{ works { ... on Boook { id } } }'],
  ['unknown-named-fragment-type', '{ book { ...F } } fragment F on Nope { id }'],
  ['unknown-list-type', 'query ($x: [Nope!]) { version }'],
  // FragmentsOnCompositeTypes
  ['fragment-on-scalar', '{ book { ... on String { x } } }'],
  ['named-fragment-on-enum', '{ book { ...F } } fragment F on Genre { x }'],
  ['fragment-on-input', 'fragment F on BookFilter { genre } { version }'],
  // VariablesAreInputTypes
  ['variable-object-type', 'query ($b: Book) { version }'],
  ['variable-union-list', 'query ($b: [SearchResult!]) { version }'],
  // ScalarLeafs
  ['object-without-selection', '{ book }'],
  ['scalar-with-selection', '{ version { x } }'],
  ['enum-with-selection', '{ book { genre { a } } }'],
  ['list-object-without-selection', '{ books }'],
  ['union-without-selection', '{ featured }'],
  // FieldsOnCorrectType
  ['unknown-root-field', '{ nope }'],
  ['unknown-field-suggestion', '{ book { titel } }'],
  ['unknown-field-on-union', '{ search(text: "") { title } }'],
  ['unknown-field-on-interface', '{ works { pages } }'],
  ['unknown-field-on-interface-person', '{ book { credits { lateFees } } }'],
  ['unknown-field-many-suggestions', '{ book { a } }'],
  ['unknown-meta-field', '{ book { __schema { description } } }'],
  ['unknown-field-in-fragment', 'fragment F on Author { nam } { authors { ...F } }'],
  ['unknown-mutation-field', 'mutation { addBok(input: {}) }'],
  // UniqueFragmentNames
  ['duplicate-fragment', '{ book { ...F } } fragment F on Book { id } fragment F on Book { title }'],
  // KnownFragmentNames
  ['unknown-fragment', '{ book { ...Nope } }'],
  // NoUnusedFragments
  ['unused-fragment', '{ version } fragment F on Book { id }'],
  ['unused-fragments-chain', '{ version } fragment F on Book { ...G } fragment G on Book { id }'],
  // PossibleFragmentSpreads
  ['impossible-inline-spread', '{ book { ... on Magazine { issue } } }'],
  ['impossible-named-spread', '{ book { ...F } } fragment F on Author { name }'],
  ['impossible-union-spread', '{ featured { ... on Review { stars } } }'],
  ['impossible-interface-in-union', '{ contributors { ... on Work { title } } }'],
  ['possible-interface-in-union', '{ contributors { ... on Person { name } } }'],
  ['impossible-abstract-abstract', '{ works { ... on Contributor { __typename } } }'],
  // NoFragmentCycles
  ['fragment-self-cycle', '{ book { ...F } } fragment F on Book { ...F }'],
  ['fragment-two-cycle', '{ book { ...A } } fragment A on Book { ...B } fragment B on Book { ...A }'],
  ['fragment-long-cycle', '{ book { ...A } } fragment A on Book { id ...B } fragment B on Book { ...C } fragment C on Book { author { books { ...A } } }'],
  // UniqueVariableNames
  ['duplicate-variables', 'query ($a: Int, $a: Int) { echo(int: $a) }'],
  // NoUndefinedVariables
  ['undefined-variable', '{ echo(int: $x) }'],
  ['undefined-variable-named', 'query Q { echo(int: $x, string: $y) }'],
  ['undefined-variable-in-fragment', 'query Q($a: Int) { ...F } fragment F on Query { echo(int: $a, float: $b) }'],
  // NoUnusedVariables
  ['unused-variable', 'query ($a: Int) { version }'],
  ['unused-variable-named', 'query Q($a: Int, $b: Int) { echo(int: $b) }'],
  // KnownDirectives
  ['unknown-directive', '{ version @nope }'],
  ['misplaced-skip', 'query @skip(if: true) { version }'],
  ['misplaced-include-on-variable', 'query ($a: Int @include(if: true)) { echo(int: $a) }'],
  ['misplaced-deprecated', '{ version @deprecated(reason: "x") }'],
  ['misplaced-oneof', 'fragment F on Query @oneOf { version } { ...F }'],
  // UniqueDirectivesPerLocation
  ['duplicate-directive', '{ version @skip(if: true) @skip(if: false) }'],
  ['duplicate-directive-fragment', '{ ... @include(if: true) @include(if: true) { version } }'],
  // KnownArgumentNames
  ['unknown-argument', '{ hello(nam: "x") }'],
  ['unknown-argument-no-suggestion', '{ version(x: 1) }'],
  ['unknown-directive-argument', '{ version @skip(iff: true) }'],
  // UniqueArgumentNames
  ['duplicate-argument', '{ hello(name: "a", name: "b") }'],
  ['duplicate-directive-argument', '{ version @skip(if: true, if: false) }'],
  // ProvidedRequiredArguments
  ['missing-required-argument', '{ node { id } }'],
  ['missing-required-directive-argument', '{ version @include }'],
  ['missing-several-required', '{ echoRequired(page: {}) }'],
  ['required-null-literal', '{ node(id: null) { id } }'],
  // VariablesInAllowedPosition
  ['nullable-variable-for-non-null', 'query ($i: Int) { echoRequired(int: $i, strings: [], page: {}) }'],
  ['variable-with-default-for-non-null', 'query ($i: Int = 1) { echoRequired(int: $i, strings: [], page: {}) }'],
  ['variable-list-mismatch', 'query ($s: String) { echoRequired(int: 1, strings: $s, page: {}) }'],
  ['variable-list-item-nullable', 'query ($s: [String]) { echoRequired(int: 1, strings: $s, page: {}) }'],
  ['variable-type-mismatch', 'query ($s: String) { echo(int: $s) }'],
  ['variable-in-directive', 'query ($b: Boolean) { version @include(if: $b) }'],
  ['variable-in-input-field', 'query ($g: String) { echo(filter: {genre: $g}) }'],
  ['variable-in-list-item', 'query ($x: String) { echo(ints: [$x]) }'],
  // OverlappingFieldsCanBeMerged
  ['alias-conflict', '{ x: version x: hello }'],
  ['args-conflict', '{ hello(name: "a") hello(name: "b") }'],
  ['args-vs-no-args', '{ hello hello(name: "b") }'],
  ['nested-conflict', '{ book { x: id } book { x: title } }'],
  ['conflict-through-fragment', '{ book { ...A ...B } } fragment A on Book { x: title } fragment B on Book { x: id }'],
  ['type-conflict-in-abstract', '{ search(text: "") { ... on Book { v: pages } ... on Magazine { v: monthly } } }'],
  ['no-conflict-disjoint-objects', '{ search(text: "") { ... on Book { v: title } ... on Author { v: name } } }'],
  ['list-vs-scalar-conflict', '{ search(text: "") { ... on Book { v: tags } ... on Magazine { v: title } } }'],
  ['nullability-conflict', '{ search(text: "") { ... on Book { v: year } ... on Magazine { v: issue } } }'],
  ['deep-conflict', '{ me { favorite { ... on Book { author { n: name } } } } me { favorite { ... on Book { author { n: id } } } } }'],
  ['variable-args-conflict', 'query ($a: String, $b: String) { hello(name: $a) hello(name: $b) }'],
  // UniqueInputFieldNames
  ['duplicate-input-field', '{ echo(filter: {genre: FICTION, genre: SCIENCE}) }'],
  ['duplicate-nested-input-field', '{ echo(filter: {author: {name: "a", name: "b"}}) }'],
  // ValuesOfCorrectType (the generated groups cover more)
  ['unknown-input-field', '{ echo(filter: {genr: FICTION}) }'],
  ['missing-input-field', '{ echoRequired(int: 1, strings: [], page: {first: null}) }'],
  ['enum-as-string', '{ echo(genre: "FICTION") }'],
  ['unknown-enum-suggestion', '{ echo(genre: FICTON) }'],
  ['oneof-two-keys', '{ echo(lookup: {id: 1, isbn: "x"}) }'],
  ['oneof-null-value', '{ echo(lookup: {id: null}) }'],
  ['oneof-no-keys', '{ echo(lookup: {}) }'],
  ['oneof-nullable-variable', 'query ($id: ID) { echo(lookup: {id: $id}) }'],
  ['oneof-non-null-variable', 'query ($id: ID!) { echo(lookup: {id: $id}) }', { id: 'b1' }],
  ['oneof-nested-filter', '{ echo(lookup: {filter: {genre: SCIENCE}}) }'],
  // Many errors at once, in graphql-js's order
  ['many-errors', 'query Q($u: Int) { nope book { titel ...F } echo(int: "x", genre: NOPE) } fragment F on Magazine { issue } fragment G on Book { id }'],
  ['many-rules-one-field', 'query ($v: Strin) { hello(nam: $w) @nope { x } }'],
]);

// ---- syntax errors ----

add('syntax', [
  ['empty', ''],
  ['only-comment', '# nothing'],
  ['unclosed-selection', '{ version'],
  ['extra-brace', '{ version } }'],
  ['missing-argument-name', '{ echo(: 1) }'],
  ['string-as-field', '{ "version" }'],
  ['unterminated-string', '{ echo(string: "abc) }'],
  ['bad-escape', '{ echo(string: "\\x") }'],
  ['bad-unicode-escape', '{ echo(string: "\\u12G4") }'],
  ['hex-number', '{ echo(int: 0x1) }'],
  ['float-trailing-dot', '{ echo(float: 1.) }'],
  ['leading-zero', '{ echo(int: 01) }'],
  ['float-bad-exponent', '{ echo(float: 1e) }'],
  ['number-then-name', '{ echo(int: 1a) }'],
  ['dollar-without-name', 'query ($: Int) { version }'],
  ['empty-selection', '{ }'],
  ['fragment-named-on', 'fragment on on Book { id } { version }'],
  ['spread-without-name', '{ book { ... } }'],
  ['unexpected-character', '{ version ? }'],
  ['unexpected-dollar', '{ version } $'],
  ['control-character', '{ version \u0007 }'],
  ['unterminated-block-string', '{ echo(string: """abc) }'],
  ['variable-in-const-default', 'query ($a: Int = $b) { version }'],
  ['missing-colon-in-object', '{ echo(filter: {genre FICTION}) }'],
  ['list-unclosed', '{ echo(ints: [1, 2) }'],
  ['operation-keyword-typo', 'querry { version }'],
  ['directive-without-name', '{ version @ }'],
  ['type-missing-in-variable', 'query ($a) { version }'],
  ['unclosed-list-type', 'query ($a: [Int) { version }'],
  ['double-bang', 'query ($a: Int!!) { version }'],
  ['ellipsis-partial', '{ book { .. on Book { id } } }'],
  ['null-as-name', 'fragment null on Book { id } { version }'],
  ['multiline-location', '{\n  book {\n    id\n    title(\n  }\n}'],
  ['unicode-location', '{ echo(string: "ééé€€") ¿ }'],
]);

// ---- introspection ----

const TYPE_REF = 'kind name ofType { kind name ofType { kind name ofType { kind name } } }';

add('introspection', [
  ['schema-roots', '{ __schema { queryType { name } mutationType { name } subscriptionType { name } } }'],
  ['schema-description', '{ __schema { description } }'],
  ['type-order', '{ __schema { types { name kind } } }'],
  ['directives', '{ __schema { directives { name description isRepeatable locations args { name description type { name } defaultValue } } } }'],
  ['type-object', `{ __type(name: "Book") { kind name description specifiedByURL isOneOf interfaces { name } possibleTypes { name } enumValues { name } inputFields { name } fields { name description isDeprecated deprecationReason type { ${TYPE_REF} } args { name description defaultValue isDeprecated deprecationReason type { ${TYPE_REF} } } } } }`],
  ['type-object-deprecated', '{ __type(name: "Book") { fields(includeDeprecated: true) { name isDeprecated deprecationReason args(includeDeprecated: true) { name isDeprecated deprecationReason } } } }'],
  ['type-interface', '{ __type(name: "Work") { kind interfaces { name } possibleTypes { name } fields { name } } }'],
  ['type-interface-node', '{ __type(name: "Node") { possibleTypes { name } description fields { description } } }'],
  ['type-union', '{ __type(name: "SearchResult") { kind possibleTypes { name kind } fields { name } interfaces { name } } }'],
  ['type-enum', '{ __type(name: "Genre") { kind enumValues { name description isDeprecated deprecationReason } } }'],
  ['type-enum-deprecated', '{ __type(name: "Genre") { enumValues(includeDeprecated: true) { name isDeprecated deprecationReason } } }'],
  ['type-input', `{ __type(name: "BookFilter") { kind isOneOf inputFields { name description defaultValue type { ${TYPE_REF} } } fields { name } } }`],
  ['type-input-deprecated', '{ __type(name: "NewBook") { inputFields { name } all: inputFields(includeDeprecated: true) { name isDeprecated deprecationReason defaultValue } } }'],
  ['type-oneof', '{ __type(name: "Lookup") { isOneOf inputFields { name type { name kind } } } }'],
  ['type-scalar', '{ __type(name: "DateTime") { kind name description specifiedByURL fields { name } ofType { name } } }'],
  ['type-builtin-scalar', '{ __type(name: "String") { kind name description specifiedByURL } }'],
  ['type-unknown', '{ __type(name: "Nope") { name } }'],
  ['type-introspection-type', '{ __type(name: "__Type") { name description fields { name description args { name defaultValue type { name kind ofType { name } } } } } }'],
  ['type-introspection-enums', '{ a: __type(name: "__TypeKind") { enumValues { name description } } b: __type(name: "__DirectiveLocation") { enumValues { name } } }'],
  ['type-introspection-directive', '{ __type(name: "__Directive") { fields { name type { kind name ofType { kind name } } } } }'],
  ['type-introspection-schema', '{ __type(name: "__Schema") { description fields { name description args { name defaultValue type { kind ofType { name } } } } } }'],
  ['default-values', '{ __type(name: "Query") { fields { name args { name defaultValue } } } }'],
  ['default-values-input', '{ a: __type(name: "Page") { inputFields { name defaultValue } } b: __type(name: "AuthorFilter") { inputFields { name defaultValue } } c: __type(name: "NewBook") { inputFields { name defaultValue } } }'],
  ['wrappers', '{ __type(name: "Reader") { fields { name type { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } }'],
  ['typename-on-introspection', '{ __schema { __typename queryType { __typename fields { __typename type { __typename } } } } }'],
  ['type-variable', 'query ($n: String!) { __type(name: $n) { name kind } }', { n: 'Magazine' }],
  ['type-missing-arg', '{ __type { name } }'],
  ['schema-leaf', '{ __schema }'],
  ['schema-unknown-field', '{ __schema { nope } }'],
  ['include-deprecated-variable', 'query ($d: Boolean) { __type(name: "Genre") { enumValues(includeDeprecated: $d) { name } } }', { d: true }],
  ['include-deprecated-null', '{ __type(name: "Genre") { enumValues(includeDeprecated: null) { name } } }'],
  ['directives-include-deprecated', '{ __schema { directives(includeDeprecated: true) { name isDeprecated deprecationReason } } }'],
  ['all-types-fields', '{ __schema { types { name fields(includeDeprecated: true) { name } inputFields(includeDeprecated: true) { name } enumValues(includeDeprecated: true) { name } possibleTypes { name } interfaces { name } } } }'],
  ['full-default', getIntrospectionQuery()],
  ['full-everything', getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true })],
  ['full-no-descriptions', getIntrospectionQuery({ descriptions: false })],
]);

// ---- harder cases: edges of the grammar, coercion and validation ----

add('edge', [
  ['int-min', '{ a: echo(int: -2147483648) b: echo(int: 2147483647) }'],
  ['int-below-min', '{ echo(int: -2147483649) }'],
  ['negative-zero', '{ a: echo(int: -0) b: echo(float: -0.0) }'],
  ['float-forms', '{ a: echo(float: 1E2) b: echo(float: 1.5e-3) c: echo(float: -0.25) d: echo(float: 12345678901234567890) }'],
  ['float-infinite', '{ echo(float: 1e400) }'],
  ['int-as-float-literal', '{ echo(int: 1.0) }'],
  ['id-forms', '{ a: echo(id: 123) b: echo(id: "x") c: echo(id: -5) }'],
  ['id-float', '{ echo(id: 1.5) }'],
  ['string-escapes', '{ echo(string: "\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0041 \\u00e9") }'],
  ['string-surrogate-pair', '{ echo(string: "\\uD83D\\uDE00") }'],
  ['string-lone-surrogate', '{ echo(string: "\\uD83D") }'],
  ['string-braced-escape', '{ echo(string: "\\u{10FFFF} \\u{0}") }'],
  ['string-braced-escape-too-big', '{ echo(string: "\\u{110000}") }'],
  ['string-control-chars-out', '{ echo(string: "a\\u0000b\\u001fc\\u2028d") }'],
  ['string-raw-newline', '{ echo(string: "a\nb") }'],
  ['block-string-indent', '{ echo(string: """\n\n      first\n        second\n\n      third\n\n  """) }'],
  ['block-string-crlf', '{ echo(string: """a\r\n  b\r\n  c""") }'],
  ['unicode-name', '{ versión }'],
  ['crlf-locations', '{\r\n  version\r\n  nope\r\n}'],
  ['cr-locations', '{\r  version\r  nope\r}'],
  ['tab-columns', '{\n\t\tnope\n}'],
  ['emoji-columns', '{ echo(string: "😀😀") nope }'],
  ['too-many-errors', `{ ${Array.from({ length: 105 }, (_, i) => `n${i}`).join(' ')} }`],
  ['deep-lists', `{ echo(json: ${'['.repeat(60)}1${']'.repeat(60)}) }`],
  ['deep-selections', `{ ${'me { favorite { ... on Book { author { books { '.repeat(1)}${'reviews { reviewer { ... on Reader { favorite { ... on Book { '.repeat(4)}id${' } } } } }'.repeat(4)}${' } } } } }'} }`],
  ['json-literal-object', '{ echo(json: {a: 1, b: [true, null, "s", 1.5], c: {d: ENUMISH}}) }'],
  ['json-variables-in-literal', 'query ($x: Int) { echo(json: {a: $x, b: [$x]}) }', { x: 4 }],
  ['date-object', '{ echo(date: {y: 2020}) }'],
  ['cursor-list', '{ echo(cursor: [1, 2]) }'],
  ['empty-args-parens', '{ echo() }'],
  ['currency-default', '{ echo }'],
  ['currency-null', '{ echo(currency: null) }'],
  ['input-defaults-nested', '{ echo(filter: {author: {}}) }'],
  ['input-explicit-nulls', '{ echo(filter: {minYear: null, sort: null, author: {countries: null}}) }'],
  ['input-list-coercion', '{ echo(filter: {tags: "one", and: {tags: ["x", "y"]}}) }'],
  ['input-list-of-objects-error', '{ echo(filter: {and: [{genre: FICTION}, {genre: 5}]}) }'],
  ['input-nested-required', '{ echo(newBook: {title: "x", authorId: 1, tags: null}) }'],
  ['input-nested-required-missing', '{ echo(everything: {page: {first: null}}) }'],
  ['variables-nested-errors', 'query ($f: BookFilter) { echo(filter: $f) }', { f: { and: [{ genre: 1 }, { maxYear: 'x' }], author: { name: [] } } }],
  ['variables-list-errors', 'query ($l: [[Int]]) { echo(nested: $l) }', { l: [[1, 'a'], 'b', [null, 2.5]] }],
  ['variables-oneof-errors', 'query ($l: Lookup) { echo(lookup: $l) }', { l: { id: '1', isbn: null } }],
  ['variables-oneof-nested-filter', 'query ($l: Lookup) { echo(lookup: $l) }', { l: { filter: { genre: 'HISTORY' } } }],
  ['variables-unknown-field', 'query ($p: Page) { echo(everything: {page: $p}) }', { p: { first: 1, last: 2 } }],
  ['variables-not-object', 'query ($p: Page) { echo(everything: {page: $p}) }', { p: 'page' }],
  ['variables-required-list', 'query ($s: [String!]!) { echoRequired(int: 1, strings: $s, page: {}) }', { s: ['a', null] }],
  ['variables-many-defs', 'query ($a: Int = 1, $b: [Genre!] = [SCIENCE], $c: BookFilter = {minYear: 2000}, $d: Boolean = false) { echo(int: $a, ints: [$a], filter: $c) x: echoDefaults(c: $b) version @include(if: $d) }'],
  ['variable-default-invalid', 'query ($a: Int = "x") { echo(int: $a) }'],
  ['variable-default-null-for-non-null', 'query ($a: Int! = null) { echo(int: $a) }'],
  ['variable-default-for-non-null', 'query ($a: Int! = 3) { echo(int: $a) }'],
  ['variable-list-to-item', 'query ($a: [Int]) { echo(int: $a) }'],
  ['variable-item-to-list', 'query ($a: Int) { echo(ints: $a) }', { a: 4 }],
  ['variable-nonnull-item-to-list', 'query ($a: Int!) { echo(strictInts: $a) }', { a: 4 }],
  ['variable-used-twice-different-types', 'query ($a: Int) { x: echo(int: $a) y: echo(string: $a) }'],
  ['variable-in-fragment-used', 'query Q($g: Genre = HISTORY) { ...F } fragment F on Query { echo(genre: $g) }'],
  ['variable-in-nested-fragment-unused', 'query Q($g: Genre) { ...F } fragment F on Query { version }'],
  ['two-operations-variables', 'query A($x: Int) { echo(int: $x) } query B($y: Int) { echo(int: $y) }', { y: 2 }, 'B'],
  ['two-operations-shared-fragment', 'query A($x: Int) { ...F } query B { ...F } fragment F on Query { echo(int: $x) }'],
]);

add('validation-more', [
  ['overlap-multiple-locations', '{ a: version ...F ... on Query { a: hello } } fragment F on Query { a: serverTime }'],
  ['overlap-nested-list', '{ books { a: title } books { a: id } books { a: title } }'],
  ['overlap-same-args-different-order', '{ echo(int: 1, string: "a") echo(string: "a", int: 1) }'],
  ['overlap-different-arg-values', '{ echo(int: 1) echo(int: 2) }'],
  ['overlap-list-args', '{ echo(ints: [1, 2]) echo(ints: [1, 2]) x: echo(ints: [1]) x: echo(ints: [2]) }'],
  ['overlap-object-args', '{ echo(filter: {genre: FICTION, maxYear: 1}) echo(filter: {maxYear: 1, genre: FICTION}) }'],
  ['overlap-directives-ignored', '{ version @include(if: true) version @skip(if: false) }'],
  ['overlap-typename-alias', '{ __typename __typename: version }'],
  ['overlap-meta-type-args', '{ __type(name: "Book") { name } __type(name: "Author") { name } }'],
  ['overlap-in-fragment-pair', 'query { ...A ...B } fragment A on Query { x: version } fragment B on Query { x: hello }'],
  ['overlap-interface-fragments', '{ works { ... on Book { y: year } ... on Work { y: title } } }'],
  ['overlap-parent-mismatch-subfields', '{ search(text: "") { ... on Book { x: author { name } } ... on Magazine { x: editors { name } } } }'],
  ['overlap-deep-in-fragments', '{ me { ...R } me { favorite { ... on Book { t: id } } } } fragment R on Reader { favorite { ... on Book { t: title } } }'],
  ['overlap-many', '{ a: version a: hello a: serverTime a: cursor }'],
  ['fragment-cycles-multiple', '{ book { ...A } } fragment A on Book { ...B ...C } fragment B on Book { ...A } fragment C on Book { ...A }'],
  ['fragment-cycle-unused', '{ version } fragment A on Book { ...B } fragment B on Book { ...A }'],
  ['fragment-unknown-and-cycle', '{ book { ...A } } fragment A on Book { ...Z ...A }'],
  ['unknown-type-in-inline-fragment-unused-var', 'query ($v: Int) { works { ... on Nope { id } } }'],
  ['directive-on-every-location', 'query Q($v: Boolean = true) @nope { version @skip(if: $v) ...F @include(if: true) ... @skip(if: false) { hello } } fragment F on Query @skip(if: true) { version }'],
  ['unknown-args-several', '{ hello(a: 1, b: 2, name: "x", nam: 3) @skip(if: true, unless: false) }'],
  ['values-in-unknown-arg', '{ hello(nope: {a: NOPE, b: $v}) }'],
  ['values-wrong-for-each-type', '{ a: echo(int: "1", float: "1.5", string: 1, boolean: "true", id: true, genre: 1, date: null) }'],
  ['values-nested-list-errors', '{ echo(nested: [[1, "a"], "b", [true]]) }'],
  ['values-object-errors', '{ echo(everything: {int: "x", page: {first: "y", nope: 1}, genre: NOPE, ints: ["z"]}) }'],
  ['values-oneof-in-list', '{ echo(filter: {and: [{tags: []}]}, lookup: {title: "t"}) }'],
  ['required-args-with-values-errors', '{ echoRequired(strings: [1]) }'],
  ['subscription-fragment-introspection', 'subscription S { ...F } fragment F on Subscription { __typename bookAdded { id } }'],
  ['subscription-skip-directive', 'subscription S { bookAdded @skip(if: true) { id } reviewPosted { stars } }'],
  ['subscription-unknown-field', 'subscription { nope }'],
  ['anonymous-and-fragment-errors', '{ version } { hello } fragment F on Nope { a } fragment F on Book { b }'],
  ['field-on-wrong-type-in-union-member', '{ contributors { ... on Author { lateFees } ... on Reader { rating } } }'],
  ['scalar-leaf-on-list-of-union', '{ search(text: "x") }'],
  ['typename-on-scalar', '{ version { __typename } }'],
  ['argument-on-typename', '{ __typename(x: 1) }'],
  ['directive-arg-wrong-type', '{ version @include(if: "yes") }'],
  ['directive-arg-variable-wrong', 'query ($s: String) { version @include(if: $s) }'],
]);

add('exec-more', [
  ['fragment-on-union-member-via-interface', '{ featured { ... on Work { title ... on Magazine { issue } } } }'],
  ['typename-in-fragments', '{ works { ...W } } fragment W on Work { __typename ... on Book { __typename t: __typename } }'],
  ['introspection-in-fragment', '{ ...F } fragment F on Query { __schema { queryType { name } } __type(name: "Genre") { name } }'],
  ['schema-and-data', '{ version __type(name: "Cursor") { kind } books { id } }'],
  ['mutation-no-schema-meta-field', 'mutation { __schema { mutationType { name } } deleteBook(id: 1) }'],
  ['skip-include-combos-variables', 'query ($t: Boolean!, $f: Boolean!) { a: version @skip(if: $t) b: version @skip(if: $f) c: version @include(if: $t) d: version @include(if: $f) ...F @include(if: $f) ... @include(if: $t) { e: version } } fragment F on Query { f: version }', { t: true, f: false }],
  ['skip-on-fragment-merging', '{ book { ... @skip(if: true) { id } ... @skip(if: false) { title } id } }'],
  ['nested-null-in-union-list', '{ book(id: "b2") { related { ... on Book { title } ... on Author { name books { id } } } } }'],
  ['null-objects-with-subfields', '{ book { related { __typename } coAuthors { name } } }'],
  ['reader-shelf-nested', '{ me { shelf { title author { name } } } }'],
  ['errors-and-data-mixed', '{ a: broken { intFromBool idFromNumber stringFromNumber } b: broken { badEnum nullItems } version }'],
  ['list-errors-all-items', '{ broken { listOfListsWithNull nullItems } }'],
  ['aliases-for-same-field-with-args', '{ a: books { price(currency: EUR) } b: books { price(currency: USD) } }'],
  ['large-list-output', '{ books { id title tags credits { name } reviews { stars } } authors { books { title } } works { title } search(text: "") { __typename } }'],
]);

// ---- input coercion, generated ----

// Variable types and the echo argument each is used for.
const VARIABLE_TYPES = [
  ['Int', 'int'],
  ['Int!', 'int'],
  ['Float', 'float'],
  ['Float!', 'float'],
  ['String', 'string'],
  ['Boolean', 'boolean'],
  ['ID', 'id'],
  ['Genre', 'genre'],
  ['[Int]', 'ints'],
  ['[Int]!', 'ints'],
  ['[Int!]', 'strictInts'],
  ['[[Int]]', 'nested'],
  ['BookFilter', 'filter'],
  ['Lookup', 'lookup'],
  ['NewBook', 'newBook'],
  ['Everything', 'everything'],
  ['DateTime', 'date'],
  ['JSON', 'json'],
];

// JSON values given for each variable (undefined: the variable is omitted).
const JSON_VALUES = [
  ['absent', undefined],
  ['null', null],
  ['zero', 0],
  ['int', 7],
  ['negative', -12],
  ['int32-max', 2147483647],
  ['int32-overflow', 2147483648],
  ['float', 1.5],
  ['float-integral', 3.0],
  ['huge-float', 1e300],
  ['string', 'abc'],
  ['numeric-string', '123'],
  ['empty-string', ''],
  ['enum-name', 'FICTION'],
  ['deprecated-enum-name', 'POETRY'],
  ['true', true],
  ['empty-list', []],
  ['int-list', [1, 2]],
  ['list-with-null', [1, null]],
  ['nested-list', [[1], [2, null]]],
  ['mixed-list', [1, 'a']],
  ['empty-object', {}],
  ['filter', { genre: 'SCIENCE', tags: 'solo', author: { name: 'Ann' } }],
  ['bad-filter', { genre: 'NOPE', extra: 1, author: { name: 5 } }],
  ['lookup-one', { isbn: '123' }],
  ['lookup-two', { id: '1', title: 't' }],
  ['lookup-null', { id: null }],
  ['new-book', { title: 'T', authorId: 5, tags: ['a', 'b'], price: 2 }],
  ['new-book-missing', { title: 'T' }],
  ['everything', { int: 1, float: 2, string: 's', boolean: true, id: 9, genre: 'HISTORY', ints: 5, nested: [[1]], page: { first: 3 }, date: '2020-01-01' }],
];

for (const [type, arg] of VARIABLE_TYPES) {
  for (const [valueName, value] of JSON_VALUES) {
    const query = `query ($v: ${type}) { echo(${arg}: $v) }`;
    const variables = value === undefined ? {} : { v: value };
    corpus.push({ name: `variables/${type}/${valueName}`, query, variables });
  }
}

// The same arguments given as literals.
const LITERALS = [
  ['null', 'null'],
  ['zero', '0'],
  ['int', '7'],
  ['negative', '-12'],
  ['int32-overflow', '2147483648'],
  ['int64-overflow', '99999999999999999999'],
  ['float', '1.5'],
  ['float-exponent', '1e3'],
  ['float-integral', '3.0'],
  ['string', '"abc"'],
  ['numeric-string', '"123"'],
  ['block-string', '"""x"""'],
  ['enum', 'FICTION'],
  ['deprecated-enum', 'COOKING'],
  ['unknown-enum', 'NOVEL'],
  ['true-enum-like', 'true'],
  ['empty-list', '[]'],
  ['int-list', '[1, 2]'],
  ['list-with-null', '[1, null]'],
  ['nested-list', '[[1], [2, null]]'],
  ['mixed-list', '[1, "a"]'],
  ['empty-object', '{}'],
  ['filter', '{genre: SCIENCE, tags: "solo", author: {name: "Ann"}}'],
  ['bad-filter', '{genre: NOPE, extra: 1, author: {name: 5}}'],
  ['lookup-one', '{isbn: "123"}'],
  ['lookup-two', '{id: "1", title: "t"}'],
  ['new-book', '{title: "T", authorId: 5, tags: ["a", "b"], price: 2}'],
  ['new-book-missing', '{title: "T"}'],
  ['everything', '{int: 1, float: 2, string: "s", boolean: true, id: 9, genre: HISTORY, ints: 5, nested: [[1]], page: {first: 3}, date: "2020-01-01"}'],
];

const LITERAL_ARGS = ['int', 'float', 'string', 'boolean', 'id', 'genre', 'ints', 'strictInts', 'nested', 'filter', 'lookup', 'newBook', 'everything', 'date', 'json', 'currency'];

for (const arg of LITERAL_ARGS) {
  for (const [valueName, literal] of LITERALS) {
    corpus.push({ name: `literals/${arg}/${valueName}`, query: `{ echo(${arg}: ${literal}) }` });
  }
}

// Literal values inside variable default values go through the same rules.
for (const [type] of VARIABLE_TYPES.filter(([t]) => !t.endsWith('!'))) {
  for (const [valueName, literal] of LITERALS.filter((_, i) => i % 3 === 0)) {
    const arg = VARIABLE_TYPES.find(([t]) => t === type)[1];
    corpus.push({
      name: `defaults/${type}/${valueName}`,
      query: `query ($v: ${type} = ${literal}) { echo(${arg}: $v) }`,
    });
  }
}

module.exports = corpus;
