// A resource template's function gets { uri, variables } and returns { contents }.
exports.handler = async (event) => {
  const name = event.variables.name;
  return {
    contents: [{ uri: event.uri, mimeType: 'text/plain', text: `Hello, ${decodeURIComponent(name)}!` }],
  };
};
