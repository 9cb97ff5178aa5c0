// make_data.js — writes data.json, the data the differential tests resolve
// against (node make_data.js > data.json). Objects are shared freely here;
// the JSON holds copies, which is what the resolvers see.
'use strict';

const ann = { __typename: 'Author', id: 'a1', name: 'Ann Leckie', born: '1966-03-02T00:00:00Z', nickname: 'Annie', rating: 4.5, country: 'US' };
const ted = { __typename: 'Author', id: 'a2', name: 'Ted Chiang', born: null, nickname: null, rating: 4.9, country: 'US' };
const ursula = { __typename: 'Author', id: 'a3', name: 'Ursula K. Le Guin', born: '1929-10-21T00:00:00Z', nickname: 'UKL', rating: 5, country: null };
const mia = { __typename: 'Reader', id: 'r1', name: 'Mia', born: '1990-01-01T12:00:00Z', lateFees: 0 };
const rev1 = { stars: 5, text: 'Superb.', reviewer: mia, postedAt: '2024-01-02T03:04:05Z' };
const rev2 = { stars: 3, text: null, reviewer: { ...ted }, postedAt: null };
const b1 = { __typename: 'Book', id: 'b1', title: 'Ancillary Justice', year: 2013, tags: ['space', 'ai'], credits: [ann], author: ann, coAuthors: [], genre: 'FICTION', pages: 386, price: 12.5, isbn: '978-0316246620', reviews: [rev1, rev2], averageStars: 4, metadata: { awards: ['Hugo', 'Nebula'], rank: 1, ok: true, nested: { x: null } }, related: null };
const b2 = { __typename: 'Book', id: 'b2', title: 'Stories of Your Life', year: 2002, tags: [], credits: [ted], author: ted, coAuthors: [null, ann], genre: 'SCIENCE', pages: 281, price: null, isbn: null, reviews: [], averageStars: null, metadata: null, related: [b1, null, { ...ann, books: [] }] };
const b3 = { __typename: 'Book', id: 'b3', title: 'The Dispossessed', year: null, tags: ['utopia'], credits: [ursula, mia], author: ursula, coAuthors: null, genre: 'POETRY', pages: 387, price: 9.99, isbn: '0-06-051275-X', reviews: null, averageStars: 1.5e-7, metadata: [1, 2.5, 'three'], related: [] };
for (const a of [ann, ted, ursula]) a.books = [];
const withBooks = (a, books) => ({ ...a, books });
const m1 = { __typename: 'Magazine', id: 'm1', title: 'Asimov\'s', year: 1977, tags: ['sf'], credits: [ted], issue: 42, editors: [ted, mia], reviews: [rev1], averageStars: 1e21, monthly: true };
const m2 = { __typename: 'Magazine', id: 'm2', title: 'Clarkesworld', year: 2006, tags: ['sf', 'online'], credits: [], issue: 180, editors: [], reviews: null, averageStars: 0.1, monthly: null };
const me = { ...mia, favorite: b1, borrowed: [b1, m1], shelf: [[b1, b3], [], null] };
Object.assign(mia, { favorite: { ...ann, books: [] }, borrowed: null, shelf: [[]] });
const broken = {
  nullTitleBook: { ...b1, title: null },
  nonNullNull: null,
  listWithNull: [b1, null, b2],
  strictListWithNull: [1, null, 3],
  intFromString: 'abc',
  intTooBig: 2147483648,
  intFromFloat: 3.5,
  floatFromString: '1.5x',
  intFromBool: true,
  stringFromNumber: 42,
  stringFromBool: false,
  boolFromNumber: 0,
  badEnum: 'NOVEL',
  enumFromNumber: 3,
  notAList: 7,
  scalarAsObject: 'ann',
  missingTypename: { id: 'x1', title: 'No type' },
  wrongTypename: { __typename: 'Review', stars: 1 },
  unknownTypename: { __typename: 'Ghost', id: 'g1' },
  idFromNumber: 123,
  idFromFloat: 1.5,
  nullItems: [1, null, 3],
  listOfListsWithNull: [[1, 2], [3, null], [4]],
};
broken.deep = { ...broken, deep: { intFromString: 'x', nonNullNull: null, deepRequired: null } };
broken.deepRequired = { nonNullNull: null, intFromBool: 1, deepRequired: { nonNullNull: 'ok', deepRequired: null } };
const data = {
  node: b1,
  nodes: [b1, ann, null, m1],
  book: b1,
  books: [b1, b2, b3],
  authors: [withBooks(ann, [b1]), withBooks(ted, [b2]), withBooks(ursula, [b3])],
  search: [b1, m1, withBooks(ann, [b1]), mia],
  contributors: [ann, null, mia],
  works: [b1, m1, b2, m2],
  featured: m1,
  me,
  version: '1.0.0',
  hello: 'Hello, world!',
  numbers: [1, null, -3, 2147483647],
  matrix: [[1, 2], [], null, [3]],
  strictList: [1, 2, 3],
  stats: { books: 3, magazines: 2, ratio: 1.5, tags: ['a', 'b'], empty: {}, none: null },
  serverTime: '2024-06-01T10:00:00Z',
  cursor: 'Y3Vyc29yOjE=',
  oldest: b3,
  broken,
  rateBook: { stars: 4, text: 'Good', reviewer: null, postedAt: '2024-06-01T10:00:00Z' },
  deleteBook: true,
  renameAuthor: { ...ann, name: 'A. Leckie' },
  failing: null,
  bookAdded: b2,
  reviewPosted: rev1,
};
process.stdout.write(JSON.stringify(data, null, 1) + '\n');
