// Returns a plain JSON object: the server wraps it as text plus `structuredContent`,
// and checks it against the tool's outputSchema. (No real weather service here: the
// numbers are derived from the city name so the example is deterministic.)
exports.handler = async (event) => {
  const { city, units = 'metric' } = event.arguments;
  const seed = [...city].reduce((n, ch) => n + ch.charCodeAt(0), 0);
  const celsius = (seed % 35) - 5;
  const conditions = ['sunny', 'cloudy', 'rain', 'wind', 'snow'][seed % 5];
  return {
    city,
    units,
    temperature: units === 'imperial' ? Math.round(celsius * 9 / 5 + 32) : celsius,
    conditions,
  };
};
